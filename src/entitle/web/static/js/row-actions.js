import { download } from "./api.js";
import { button } from "./grid.js";
import { CHECK_IN, DOWNLOAD } from "./icons.js";

// A checkout row's actions, in the Checkouts list and the history alike: an active checkout can
// be checked in (by those who may) and its license file downloaded.
export function rowActions({ describe, hasSelect, onCheckIn, onError, notify }) {
  return (cell) => {
    const checkout = cell.getRow().getData();
    const holder = document.createElement("div");
    holder.className = "row-actions";
    if (checkout.status !== "active") return holder;
    if (hasSelect) {
      holder.append(
        button("icon-button success", `Check in the checkout of ${describe(checkout)}`, CHECK_IN, () =>
          onCheckIn([checkout]),
        ),
      );
    }
    holder.append(
      button("icon-button", `Download the license file of ${describe(checkout)}`, DOWNLOAD, () =>
        download(`/checkouts/${checkout.id}/license-file`)
          .then((file) => notify(`Downloaded ${file}.`))
          .catch(onError),
      ),
    );
    return holder;
  };
}

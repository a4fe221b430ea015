import { download } from "./api.js";
import { button } from "./grid.js";
import { t } from "./i18n.js";
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
        button("icon-button success", t("Check in the checkout of {checkout}", { checkout: describe(checkout) }), CHECK_IN, () =>
          onCheckIn([checkout]),
        ),
      );
    }
    holder.append(
      button("icon-button", t("Download the license file of {checkout}", { checkout: describe(checkout) }), DOWNLOAD, () =>
        download(`/checkouts/${checkout.id}/license-file`)
          .then((file) => notify(t("Downloaded {file}.", { file })))
          .catch(onError),
      ),
    );
    return holder;
  };
}

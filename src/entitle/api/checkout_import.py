"""Import checkouts from a CSV file: preview, create, and the import's result sheet and files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from entitle.api.auth import Actor
from entitle.api.checkouts import IdempotencyKey
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.responses import json_response
from entitle.api.schemas import CheckoutOut
from entitle.domain.checkout_import import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED,
    TEMPLATE,
    ImportProblem,
)
from entitle.domain.codes import Code
from entitle.service.import_checkouts import (
    ImportResult,
    get_import,
    import_checkouts,
    import_license_files,
    result_sheet,
)

router = APIRouter(tags=["checkout imports"])
IMPORT_PATH = "/checkouts/import"
ImportId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
FILE_REFUSALS = (
    Code.IMPORT_FILE_TOO_LARGE,
    Code.IMPORT_TOO_MANY_ROWS,
    Code.IMPORT_NOT_TEXT,
    Code.IMPORT_FILE_EMPTY,
)
CSV_BODY = {
    "required": True,
    "description": (
        f"The CSV file: a header row naming its columns ({', '.join(COLUMNS)}; required: "
        f"{', '.join(REQUIRED)}), then one checkout a row; UTF-8 with or without BOM, "
        f"comma or semicolon, quoted cells. At most {MAX_ROWS:,} rows and {MAX_BYTES:,} bytes."
    ),
    "content": {"text/csv": {"schema": {"type": "string"}, "example": TEMPLATE}},
}


class ImportProblemOut(BaseModel):
    row: int = Field(description="The row as a spreadsheet numbers it: the header is row 1")
    column: str | None = Field(description="The column, or none for the whole row")
    code: str = Field(description="A stable code, the same as a single checkout's refusal")
    message: str


class ImportRowOut(BaseModel):
    row: int
    status: Literal["valid", "invalid", "created", "skipped"] = Field(
        description="A preview: valid or invalid; an import: created or skipped"
    )
    cells: dict[str, str] = Field(description="The row's cells as the file has them, by column")
    checkout_id: str | None
    problems: list[ImportProblemOut]


class ImportOut(BaseModel):
    id: str | None = Field(description="The import; none for a preview (dry_run)")
    dry_run: bool
    replayed: bool = Field(
        description="An earlier import with this Idempotency-Key, answered again"
    )
    file_digest: str = Field(description="The SHA-256 of the file, as the audit trail names it")
    rows: int
    valid_rows: int
    created: int
    problems: list[ImportProblemOut] = Field(description="Every problem, by row")
    items: list[ImportRowOut] = Field(description="Every row, in the file's order")
    checkouts: list[CheckoutOut] = Field(description="The checkouts created, in row order")
    result_csv: str | None = Field(
        description="Where the result sheet is: each row and its outcome"
    )
    license_files: str | None = Field(description="Where the zip of the license files is")

    @classmethod
    def of(cls, result: ImportResult, dry_run: bool, now: datetime) -> ImportOut:
        base = f"/api/v1/checkouts/imports/{result.id}" if result.id else None
        return cls(
            id=result.id,
            dry_run=dry_run,
            replayed=result.replayed,
            file_digest=result.file_digest,
            rows=len(result.rows),
            valid_rows=result.valid_rows,
            created=len(result.checkouts),
            problems=[_problem(p) for p in result.problems],
            items=[
                ImportRowOut(
                    row=r.number,
                    status=r.status(result.created),
                    cells=r.cells,
                    checkout_id=r.checkout_id,
                    problems=[_problem(p) for p in r.problems],
                )
                for r in result.rows
            ],
            checkouts=[CheckoutOut.of(c, now) for c in result.checkouts],
            result_csv=f"{base}/result.csv" if base else None,
            license_files=f"{base}/license-files.zip" if base else None,
        )


def _problem(problem: ImportProblem) -> ImportProblemOut:
    return ImportProblemOut(
        row=problem.row, column=problem.column, code=problem.code.name, message=problem.message
    )


@router.post(
    IMPORT_PATH,
    status_code=status.HTTP_201_CREATED,
    response_model=ImportOut,
    responses={200: {"model": ImportOut, "description": "The preview (dry_run=true)"}},
    summary="Create checkouts from a CSV file, or preview its problems",
    operation_id="importCheckouts",
    openapi_extra={
        "requestBody": CSV_BODY,
        **refuses(
            *FILE_REFUSALS,
            Code.IMPORT_ROWS_INVALID,
            Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
            Code.IDEMPOTENCY_KEY_REUSED,
            Code.IDEMPOTENCY_RACE,
            Code.SIGNING_CERTIFICATE_ENDS,
        ),
    },
)
async def import_file(
    request: Request,
    actor: Actor,
    services: ServicesDep,
    dry_run: Annotated[bool, Query(description="Check every row, create nothing")] = False,
    skip_invalid: Annotated[
        bool, Query(description="Create the valid rows and skip the others")
    ] = False,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Check every row of a CSV file by the rules of a single checkout (`POST /checkouts`) and
    the file's own (limits, columns, one application for one user and machine once), then
    create the checkouts in one transaction.

    The body is the file itself (`Content-Type: text/csv`); `GET /checkouts/import/template.csv`
    is an example. `applications` is `Name version; Name version`; an empty `expires_on` is the
    latest allowed, an empty `license_service` the one the versions use.

    - `dry_run=true`: the preview, 200, creating nothing: every row with its problems (row
      number, column, code and message, the same codes a single checkout answers).
    - Otherwise all or nothing: one bad row and nothing is created, a 422 `IMPORT_ROWS_INVALID`
      problem whose `errors` name each problem as `rows[N].column`; with `skip_invalid=true`,
      the valid rows are created and the others are marked `skipped`.

    A created import answers 201 in JSON (the rows, the checkouts, and the links of its result
    sheet, `result.csv`, and of the zip of its license files, `license-files.zip`), with its
    Location. Sending the same Idempotency-Key again answers the first import (`replayed`)
    and creates nothing more; the same key with another file is refused.

    The answer is JSON whatever `Accept` asks: the result sheet (`text/csv`) and the zip
    (`application/zip`) are downloads of their own, at the links the answer gives.
    """
    data = await request.body()
    result = await run_in_threadpool(
        import_checkouts,
        services,
        actor.user,
        data,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        idempotency_key=idempotency_key,
        address=actor.address,
    )
    body = ImportOut.of(result, dry_run, services.now())
    if dry_run:
        return json_response(body)
    return json_response(
        body, status.HTTP_201_CREATED, {"Location": f"/api/v1/checkouts/imports/{result.id}"}
    )


@router.get(
    "/checkouts/import/template.csv",
    response_class=Response,
    responses={
        200: {"description": "The template", "content": {"text/csv": {"example": TEMPLATE}}}
    },
    summary="An example import file: the header and two rows",
    operation_id="checkoutImportTemplate",
)
def template(_actor: Actor) -> Response:
    """The columns an import file takes, with two example rows (one SES, one SELECTserver)."""
    return Response(
        TEMPLATE,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="checkout-import.csv"'},
    )


@router.get(
    "/checkouts/imports/{import_id}",
    response_model=ImportOut,
    summary="An import, as it was answered",
    operation_id="getCheckoutImport",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.IMPORT_NOT_FOUND),
)
def read_import(
    import_id: Annotated[ImportId, Path()], actor: Actor, services: ServicesDep
) -> Response:
    """The rows of an import and the checkouts it created."""
    result = get_import(services, actor.user, import_id)
    return json_response(ImportOut.of(result, False, services.now()))


@router.get(
    "/checkouts/imports/{import_id}/result.csv",
    response_class=Response,
    responses={200: {"description": "The result sheet", "content": {"text/csv": {}}}},
    summary="The result sheet: each row of the file with its checkout id or its problems",
    operation_id="checkoutImportResult",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.IMPORT_NOT_FOUND),
)
def result_csv(
    import_id: Annotated[ImportId, Path()], actor: Actor, services: ServicesDep
) -> Response:
    """Each input row (`row`, its cells), its `checkout_id`, its `status` (created or
    skipped) and its `problems` (`column: message`, joined by ` | `)."""
    result = get_import(services, actor.user, import_id)
    return Response(
        result_sheet(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}.csv"'},
    )


@router.get(
    "/checkouts/imports/{import_id}/license-files.zip",
    response_class=Response,
    responses={
        200: {
            "description": "A zip of license files",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    summary="The license files an import created, in one zip",
    operation_id="checkoutImportLicenseFiles",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.IMPORT_NOT_FOUND),
)
def license_files_zip(
    import_id: Annotated[ImportId, Path()], actor: Actor, services: ServicesDep
) -> Response:
    """Each created checkout's license file under a name of its own; each download audited."""
    data = import_license_files(services, actor.user, import_id, actor.address)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}.zip"'},
    )

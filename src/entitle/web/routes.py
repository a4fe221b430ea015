"""The portal: server-rendered pages and their static files, included by the app."""

from __future__ import annotations

from fastapi import APIRouter

from entitle.web import (
    audit_page,
    catalog_page,
    countries_page,
    device_page,
    language_page,
    my_checkouts,
    notifications_page,
    pages,
    set_password_page,
    sign_in_page,
    sso_pages,
    static_files,
    tokens_page,
    usage_page,
    users_page,
    webhooks_page,
)

router = APIRouter(include_in_schema=False)
router.include_router(static_files.router)
router.include_router(pages.router)
router.include_router(sso_pages.router)
router.include_router(usage_page.router)
router.include_router(device_page.router)
router.include_router(my_checkouts.router)
router.include_router(users_page.router)
router.include_router(countries_page.router)
router.include_router(tokens_page.router)
router.include_router(audit_page.router)
router.include_router(catalog_page.router)
router.include_router(webhooks_page.router)
router.include_router(notifications_page.router)
router.include_router(set_password_page.router)
router.include_router(sign_in_page.router)
router.include_router(language_page.router)

"""The portal: server-rendered pages and their static files, included by the app."""

from __future__ import annotations

from fastapi import APIRouter

from entitle.web import device_page, my_checkouts, pages, static_files, usage_page

router = APIRouter(include_in_schema=False)
router.include_router(static_files.router)
router.include_router(pages.router)
router.include_router(usage_page.router)
router.include_router(device_page.router)
router.include_router(my_checkouts.router)

"""Pages the server writes itself, outside the Dash app (sign-in, sign-out, refusals, data administration), and the
token that proves a form was posted from one of them."""

from __future__ import annotations

import html
import secrets

from flask import request, session


def form_token() -> str:
    """A fresh token for a form, kept in the session, so a form posted from another site is refused."""
    token = secrets.token_urlsafe(24)
    session["form_token"] = token
    return token


def token_ok() -> bool:
    """Whether the posted form carries the session's token."""
    return secrets.compare_digest(request.form.get("token", ""), session.get("form_token", "-"))


def plain_page(
    title: str, body: str, status: int = 200, raw: bool = False, link: tuple[str, str] | None = None, wide: bool = False
):
    """A page of the server's own, outside the dashboard: sign-in, sign-out, refusals; accessible like the rest."""
    text = body if raw else f"<p>{html.escape(body)}</p>"
    more = f'<p><a class="btn btn-primary" href="{link[0]}">{html.escape(link[1])}</a></p>' if link else ""
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - Inclusion Dashboard</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/app.css"></head>
<body>
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="site-header"><div class="site-header__inner"><span class="product-name">Inclusion Dashboard</span>
</div></header>
<main id="main-content" tabindex="-1" class="container my-4 {"" if wide else "narrow-page"}">
<h1 class="h3 mb-3">{html.escape(title)}</h1>
{text}{more}
</main>
</body></html>"""
    return page, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}

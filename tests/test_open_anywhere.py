"""The built site in a real browser, opened from a folder (file://) with no network."""

from __future__ import annotations

from conftest import article


def test_clicking_through_a_site_opened_from_a_folder(make_site, page):
    site = make_site({
        "content/news/2026-11-20 主题 党日.md": article("主题党日", 封面="images/党 日.svg", 标签="[组织生活]"),
        "content/news/images/党 日.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='80' height='45'><rect width='80' height='45' fill='red'/></svg>",
    })
    site.build()
    requests = []
    page.context.route("**/*", lambda route: (requests.append(route.request.url),
                                               route.continue_() if route.request.url.startswith("file://")
                                               else route.abort()))
    page.goto((site.out / "index.html").as_uri())
    page.click("text=支部动态")
    assert page.url.endswith("/news/index.html")
    page.click(".card-title a")
    assert page.locator("h1").inner_text() == "主题党日"
    assert page.locator(".cover img").evaluate("img => img.complete && img.naturalWidth") == 80
    page.click(".tags a")
    assert page.locator("h1").inner_text() == "标签：组织生活"
    page.click("text=首页")
    assert page.url.endswith("/index.html")
    assert requests and all(url.startswith("file://") for url in requests)

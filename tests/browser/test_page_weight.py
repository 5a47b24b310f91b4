"""The survey's first load is small for a weak signal: HTML + CSS + JS ≤ 50 KB uncompressed, no web fonts."""

from __future__ import annotations

import urllib.request

LIMIT = 50 * 1024


def test_first_load_of_the_survey_is_at_most_50_kb(live_server, new_context):
    page = new_context(service_workers="block").new_page()
    loaded = []
    page.on("response", lambda response: loaded.append(response))
    page.goto(live_server.url("/c/baku-1?lang=ru&service=passport&desk=3"))
    page.wait_for_load_state("networkidle")

    sizes = {}
    for response in loaded:
        kind = response.request.resource_type
        assert kind != "font", f"fonts come from the system, but {response.url} was loaded"
        if kind in {"document", "stylesheet", "script"}:
            sizes[response.url.removeprefix(live_server.base_url)] = len(response.body())
    # The service worker script is fetched on the first visit too; count it (blocked above).
    with urllib.request.urlopen(live_server.url("/sw.js")) as sw:  # noqa: S310 (loopback)
        sizes["/sw.js"] = len(sw.read())

    total = sum(sizes.values())
    print("survey first load, bytes before compression:", sizes, "total", total)
    assert {"stylesheet", "script"} <= {r.request.resource_type for r in loaded}
    assert total <= LIMIT, f"{total} bytes > {LIMIT}: {sizes}"

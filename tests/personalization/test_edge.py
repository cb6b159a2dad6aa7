from personalization.collect.edge import address_minimise, device_type, is_bot_agent, url_path, url_strip

DENY = frozenset({"email", "token"})
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def test_denied_query_parameters_are_stripped_and_others_kept():
    assert url_strip("https://a.example/p?email=x%40y.z&q=shoes&Token=1", denylist=DENY, max_length=2000) == (
        "https://a.example/p?q=shoes"
    )


def test_a_fragment_with_parameters_is_dropped():
    assert url_strip("https://a.example/cb#access_token=abc", denylist=DENY, max_length=2000) == "https://a.example/cb"


def test_urls_are_cut_to_the_maximum_length():
    assert len(url_strip("https://a.example/" + "x" * 5000, denylist=DENY, max_length=100)) == 100


def test_addresses_are_dropped_or_truncated_to_their_network():
    assert address_minimise("203.0.113.77", storage="drop") == ""
    assert address_minimise("203.0.113.77", storage="truncate") == "203.0.113.0"
    assert address_minimise("2001:db8:abcd:12:1:2:3:4", storage="truncate") == "2001:db8:abcd::"
    assert address_minimise("not-an-ip", storage="truncate") == ""


def test_devices_are_classified_coarsely():
    assert device_type(CHROME) == "desktop"
    assert device_type(IPHONE) == "mobile"
    assert device_type("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)") == "tablet"


def test_crawlers_libraries_and_headless_browsers_are_bots():
    assert is_bot_agent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert is_bot_agent("python-requests/2.32")
    assert is_bot_agent("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/130.0 Safari/537.36")
    assert is_bot_agent("")
    assert not is_bot_agent(CHROME)
    assert not is_bot_agent(IPHONE)


def test_paths_come_from_absolute_and_relative_urls():
    assert url_path("https://a.example/shop/p/1?x=1") == "/shop/p/1"
    assert url_path("/news/a#top") == "/news/a"
    assert url_path("https://a.example") == "/"

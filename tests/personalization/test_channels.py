import pytest

from personalization.ingest.channels import channel_of, daypart, weekpart

PAGE = "https://shop.example/shoes"


@pytest.mark.parametrize(("url", "referrer", "channel"), [
    (PAGE, "", "direct"),
    (PAGE, "https://shop.example/", "direct"),  # back from an earlier stay on the same site
    (PAGE, "https://www.google.de/", "search"),
    (PAGE, "https://duckduckgo.com/", "search"),
    (PAGE, "https://t.co/abc", "social"),
    (PAGE, "https://l.facebook.com/l.php", "social"),
    (PAGE, "https://mail.google.com/", "email"),
    (PAGE, "https://blog.example/post", "referral"),
    (PAGE + "?utm_medium=email&utm_source=newsletter", "https://www.google.com/", "email"),
    (PAGE + "?utm_medium=cpc&utm_source=google", "https://www.google.com/", "ads"),
    (PAGE + "?gclid=abc", "", "ads"),
    (PAGE + "?utm_source=facebook", "", "social"),
    (PAGE + "?utm_source=partner-site", "", "referral"),
    (PAGE + "?colour=red", "", "direct"),
])
def test_a_page_views_channel_comes_from_its_campaign_then_its_referrer(url, referrer, channel):
    assert channel_of(url, referrer) == channel


def test_parts_of_the_day_and_week_are_read_in_utc():
    monday_0530 = 1_780_291_800_000  # 2026-06-01 05:30 UTC, a Monday
    assert daypart(monday_0530) == "night"
    assert daypart(monday_0530 + 3_600_000) == "morning"
    assert weekpart(monday_0530) == "weekday"
    assert weekpart(monday_0530 - 86_400_000) == "weekend"

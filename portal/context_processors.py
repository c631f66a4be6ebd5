from django.conf import settings

from .navigation import menu_for

# 大字模式 (larger text, higher contrast) is kept in a cookie the switch in the header sets, so that
# the page is drawn large from its first byte.  A per-user field can follow (accounts), so that the
# choice also follows a person to another device.
LARGE_TEXT_COOKIE = "portal_large_text"


def portal(request):
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_items": menu_for(user) if user is not None else [],
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
    }

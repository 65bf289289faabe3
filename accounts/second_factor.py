"""The TOTP second factor of admin users (django-otp): who needs it, codes, QR code.

At login, the session records what the user still has to do (SESSION_KEY): « verify » (the
account has an authenticator app) or « enrol » (ADMIN_REQUIRE_2FA is on and it has none).
accounts.middleware reads that flag, so an admin request costs no query for it.
"""
from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_KEY = "accounts_second_factor"
VERIFY = "verify"
ENROL = "enrol"
DEVICE_NAME = "Application d’authentification"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def needs(user) -> str | None:
    """What `user` must do after the password: VERIFY, ENROL or nothing."""
    if confirmed_device(user) is not None:
        return VERIFY
    if settings.ADMIN_REQUIRE_2FA and user.has_perm("wagtailadmin.access_admin"):
        return ENROL
    return None


def remember_what_login_needs(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    step = needs(user)
    if step:
        request.session[SESSION_KEY] = step
    else:
        request.session.pop(SESSION_KEY, None)


def pending_device(user) -> TOTPDevice:
    """The not yet confirmed device of an enrolment (kept across reloads: the app may have scanned it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps without a camera."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(text: str) -> str:
    """`text` as an inline SVG QR code, drawn here (no other host, no image library)."""
    import qrcode
    from qrcode.image.svg import SvgPathFillImage

    image = qrcode.make(text, image_factory=SvgPathFillImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None when `code` is the device's current code; else the French reason it is refused."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        return "Trop de codes erronés : attendez quelques secondes avant d’en saisir un nouveau."
    if device.verify_token(code):
        return None
    return ("Ce code n’est pas le bon. Saisissez le code affiché maintenant par votre application "
            "(et vérifiez que l’heure de votre téléphone est juste).")


def mark_verified(request, device: TOTPDevice) -> None:
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)

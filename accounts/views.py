"""The lockout page (django-axes) and the second-factor pages: code after the password,
enrolment of an authenticator app, deactivation."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts import second_factor
from accounts.forms import CodeForm, error_summary


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: French page in the public site's look, HTTP 429 with Retry-After."""
    minutes = settings.ADMIN_LOCKOUT_MINUTES
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def verify(request):
    """After the password: the code of the account's authenticator app."""
    device = second_factor.confirmed_device(request.user)
    if device is None or request.user.is_verified():
        request.session.pop(second_factor.SESSION_KEY, None)
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            refusal = second_factor.check_code(device, form.cleaned_data["code"])
            if refusal is None:
                second_factor.mark_verified(request, device)
                return redirect(_next_url(request))
            form.add_error("code", refusal)
        status = 400
    context = {"form": form, "errors": error_summary(form), "next": _next_url(request)}
    return render(request, "accounts/verify.html", context, status=status)


class TwoFactorView(WagtailAdminTemplateMixin, TemplateView):
    """« Double authentification »: enrol an authenticator app (QR code or secret, then a code to
    confirm it), or see that it is on and turn it off (with a current code) unless required."""

    template_name = "accounts/two_factor.html"
    page_title = "Double authentification"
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_account"), "label": "Compte"}, {"url": "", "label": self.page_title}]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        device = second_factor.confirmed_device(user)
        context.update(device=device, required=settings.ADMIN_REQUIRE_2FA, next=_next_url(self.request),
                       form=form or CodeForm(), errors=error_summary(form) if form else [])
        if device is None:
            pending = second_factor.pending_device(user)
            context.update(qr_svg=second_factor.qr_svg(pending.config_url),
                           secret=second_factor.secret_for_typing(pending), issuer=settings.OTP_TOTP_ISSUER)
        return context

    def post(self, request, *args, **kwargs):
        user = request.user
        device = second_factor.confirmed_device(user)
        if device is not None and settings.ADMIN_REQUIRE_2FA:
            messages.error(request, "La double authentification est obligatoire : elle ne peut pas être désactivée.")
            return redirect("accounts_two_factor")
        form = CodeForm(request.POST)
        if form.is_valid():
            target = device or second_factor.pending_device(user)
            refusal = second_factor.check_code(target, form.cleaned_data["code"])
            if refusal is None:
                return self.disable(request, device) if device else self.enable(request, target)
            form.add_error("code", refusal)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def enable(self, request, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        device.user.totpdevice_set.filter(confirmed=False).delete()
        second_factor.mark_verified(request, device)
        messages.success(request, "Double authentification activée : à chaque connexion, votre application "
                                  "vous donnera le code demandé après le mot de passe.")
        return redirect(_next_url(request))

    def disable(self, request, device):
        device.user.totpdevice_set.all().delete()
        request.session.pop(second_factor.SESSION_KEY, None)
        messages.success(request, "Double authentification désactivée : le mot de passe suffit de nouveau.")
        return redirect("accounts_two_factor")


urlpatterns = [
    path("double-authentification/code/", verify, name="accounts_verify"),
    path("compte/double-authentification/", TwoFactorView.as_view(), name="accounts_two_factor"),
]

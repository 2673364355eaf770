"""Staff login and logout pages."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter, login_manager
from ..mail.soon import deliver_soon
from ..models import StaffTokenPurpose
from ..templating import format_local_time
from . import links, service
from .forms import LoginForm, LogoutForm
from .roles import public
from .staff_forms import ChoosePasswordForm, ForgotForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.user_loader(service.load_user)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = service.authenticate(
            form.email.data,
            form.password.data,
            address=request.remote_addr or "unknown",
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            window=timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]),
        )
        if result.ok:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.throttled_until is not None:
            form.form_errors.append(
                "Too many failed attempts. For your security, logging in is paused until "
                f"{format_local_time(result.throttled_until, 'UTC')} UTC."
            )
            status = 429
        else:
            form.form_errors.append("That e-mail and password do not match a staff account.")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@public
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Not only this browser's session: every copy of its cookie, and the account's other sessions.
            service.log_out_everywhere(current_user._get_current_object())
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("public.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        links.request_reset(form.email.data)
        deliver_soon()
        # The same answer whether or not the address has an account: the page never tells who is staff.
        return render_template("auth/forgot_sent.html", email=form.email.data.strip()), 200
    return render_template("auth/forgot.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def choose_password(token: str):
    try:
        link = links.find(token)
    except links.LinkError as error:
        return render_template("auth/link_refused.html", message=str(error)), 410
    form = ChoosePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = links.use(token, form.password.data)
        except service.StaffAccountError as error:
            form.password.errors.append(str(error))
            status = 400
        except links.LinkError as error:
            return render_template("auth/link_refused.html", message=str(error)), 410
        else:
            logout_user()
            login_user(user)
            flash("Your password is saved and you are logged in. Any other session of your account has ended.",
                  "info")
            return redirect(url_for("dashboard.index"), 303)
    elif form.is_submitted():
        status = 400
    page = render_template("auth/choose_password.html", form=form, user=link.staff_user,
                           invitation=link.purpose == StaffTokenPurpose.INVITATION)
    # The page shows the account's address and its URL holds the link's secret: no cache keeps a copy.
    return page, status, {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}

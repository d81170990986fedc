"""Error reports by email to ADMINS, without contacts or credentials (portal/scrubbing.py).

Django mails ADMINS the traceback of every 500 (settings, LOGGING: ScrubbingAdminEmailHandler
on the `django` logger, only with DEBUG off). What the mail may carry is decided here:
- ScrubbingExceptionReporterFilter hides, by name, form fields, cookies, headers, settings and
  local variables that are contacts or credentials (SENSITIVE_KEY);
- ScrubbingExceptionReporter names the signed-in user by id, never by email;
- ScrubbingAdminEmailHandler passes the subject and the whole body through scrub_text, so an
  email address, phone number or token left in an exception's message or a variable's
  representation does not leave either.
"""

from django.conf import settings
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from portal.scrubbing import FILTERED, SENSITIVE_KEY, is_sensitive_key, scrub_text


class ScrubbingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter (settings, cookies and META by name), with the portal's list of names,
    applied to POST parameters and local variables too."""

    cleansed_substitute = FILTERED
    hidden_settings = SENSITIVE_KEY

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None or not self.is_active(request) or not parameters:
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if is_sensitive_key(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        if not self.is_active(request):
            return variables
        return [
            (name, self.cleansed_substitute if is_sensitive_key(name) else value) for name, value in variables
        ]


class ScrubbingExceptionReporter(ExceptionReporter):
    """The report names the user by id (`str(user)` is their email) and is scrubbed whole."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.filter.is_active(self.request) and data.get("user_str"):
            user = getattr(self.request, "user", None)
            pk = getattr(user, "pk", None)
            data["user_str"] = f"user #{pk}" if pk is not None else "anonymous"
        return data

    def get_traceback_text(self):
        text = super().get_traceback_text()
        return scrub_text(text) if self.filter.is_active(self.request) else text

    def get_traceback_html(self):
        html = super().get_traceback_html()
        return scrub_text(html) if self.filter.is_active(self.request) else html


class ScrubbingAdminEmailHandler(AdminEmailHandler):
    """AdminEmailHandler whose subject and body (and HTML part, if any) are scrubbed."""

    def emit(self, record):
        if not settings.ADMINS:  # nothing to build: no one would get it
            return
        super().emit(record)

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = scrub_text(kwargs["html_message"])
        super().send_mail(scrub_text(subject), scrub_text(message), *args, **kwargs)

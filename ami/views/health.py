"""/sante/: the health report as JSON, for a supervisor or a monitoring probe (see README).

GET /sante/       200 when everything is healthy, 503 when an operator is needed (database
                  or Redis down, worker or beat silent, e-mails in « échec »).
GET /sante/?web   the same report; 503 only when this web process cannot reach the database
                  (for a load balancer: the site degrades but keeps serving without Redis,
                  and a silent worker is no reason to take web servers out of rotation).
"""
from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from ami.health import OK, health_report


@require_safe
def health(request):
    report = health_report()
    if "web" in request.GET:
        healthy = report["database"]["status"] == OK
    else:
        healthy = report["status"] == OK
    response = JsonResponse(report, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response

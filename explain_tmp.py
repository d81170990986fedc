import os, sys, json, django
os.environ["DJANGO_SETTINGS_MODULE"]="portal.settings"
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from catalogue.selectors import product_search
params = json.loads(sys.argv[1])
qs = product_search(user=AnonymousUser(), params=params)[:24]
sql, p = qs.query.sql_with_params()
with connection.cursor() as c:
    for extra in sys.argv[2:]:
        c.execute(extra)
    c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, p)
    print("\n".join(r[0] for r in c.fetchall()))

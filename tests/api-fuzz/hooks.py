"""Rules of the API that its OpenAPI document cannot state, taught to the request generator."""

import schemathesis


@schemathesis.hook
def filter_query(context, query):
    # `month` needs `year` (documented on the parameter): a rule across two query parameters,
    # which per-parameter schemas cannot express. Requests breaking it get a 400, as they should.
    return not (query and query.get("month") is not None and query.get("year") is None)

"""The case layer: the store (cases.store) and the assessment (cases.assessment). The flows
that use them live a floor up, in app.flows. No Qt here."""

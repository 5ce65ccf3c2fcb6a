"""The case layer both front ends share: the store (cases.store), the flows (cases.flows) and the
assessment (cases.assessment). No Qt here."""

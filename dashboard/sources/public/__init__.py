"""Public DfE, ONS and GIAS files turned into the templates an LA would write (python -m dashboard.public)."""

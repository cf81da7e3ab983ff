"""Extracts besides an LA's own files: from public DfE, ONS and GIAS files, and the synthetic demo borough."""

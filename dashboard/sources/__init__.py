"""Where extracts come from besides an LA's own files: public DfE, ONS and GIAS files, and the synthetic demo borough."""

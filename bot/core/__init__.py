"""The transport-independent core: it never imports `telegram`."""

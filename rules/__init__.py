"""The default rule base: Ruta's encoding of the protocols' reference edition (2026-11).

This folder is data, not code. Policy staff edit the YAML files here (see docs/rule-format.md);
``ruta rules check`` and the test suite verify every change before it is put in service.
"""

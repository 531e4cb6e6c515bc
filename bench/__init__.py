"""iotfake's benchmarks: ``python -m bench`` (see ``bench/__main__.py``). Never run by pytest."""

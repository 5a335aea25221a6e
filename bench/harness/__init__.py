"""The build benchmark's parts; bench/run.py is its command line and describes what it measures."""

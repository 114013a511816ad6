"""The Streamlit user interface: reads widgets, calls the core, renders what the core returns.

The only part of the package that imports streamlit. No clinical logic lives here.
"""

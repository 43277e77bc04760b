"""The Streamlit side: the only package (with Home.py and pages/) that imports streamlit."""

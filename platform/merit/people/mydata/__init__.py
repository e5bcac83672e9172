"""My data (data saya): a person's whole record in Merit as one archive; see :mod:`.archive`."""

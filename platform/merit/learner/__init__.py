"""The learner's side of Merit: the JupyterLab and Voila workspace a learner's server starts with."""

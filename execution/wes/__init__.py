"""GA4GH Workflow Execution Service 1.1 over the registry's runs, under ``/ga4gh/wes/v1/``."""

"""Building blocks of the pages: policy-protected views, list pages, detail pages, forms, navigation."""

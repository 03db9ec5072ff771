"""Languages: the toolkit's own catalogs, survey texts in several languages and translator files."""

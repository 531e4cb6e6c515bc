"""AWS IoT fleet indexing: the query language (``query``), index documents (``document``),
matching (``evaluate``), the indexing configuration (``configuration``) and the operations
(``search``: SearchIndex, Get/UpdateIndexingConfiguration, DescribeIndex, ListIndices)."""

"""Stage 1, load: read the workspace's files into validated pydantic models.

``yamlsrc`` reads YAML keeping the line of every key, ``models`` holds the schemas,
``frontmatter``, ``library``, ``consultation`` and ``org`` read each kind of file, and
``workspace`` finds them on disk.
"""

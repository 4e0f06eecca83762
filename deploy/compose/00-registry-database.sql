-- The schema registry's own database on the same PostgreSQL server (Apicurio's SQL storage
-- creates its tables there on first start). Run by the postgres image on an empty data directory.
CREATE DATABASE registry OWNER cta_admin;

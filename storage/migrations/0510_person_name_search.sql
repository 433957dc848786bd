-- The invitation search finds people by what is typed (every word contained,
-- accents and case aside) with an index instead of reading a whole school:
-- trigrams of the folded name. The expression is the one `foldedPersonName`
-- (storage/src/identity/nameSearch.ts) writes into its queries; keep both the same.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX person_name_search ON person USING gin (
  lower(translate(given_name || ' ' || family_name,
    'àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝ’',
    'aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuy''')) gin_trgm_ops
);

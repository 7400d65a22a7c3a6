-- Attributes a caller may send with a user's first assignment (country,
-- device, plan...), for segmenting and filtering reports.
ALTER TABLE assignments ADD COLUMN attributes JSON NULL;

-- Listing and exporting an experiment's assignments reads them in the
-- order they were made, by keyset: experiment, then assignment time, then
-- public id as the tie-break. This index serves that range and its order,
-- so each page stops after the rows it returns. The queries name it with
-- FORCE INDEX: without it, MariaDB reads a page that starts deep in a big
-- experiment by ref on experiment_id alone, filtering every earlier row.
ALTER TABLE assignments
  ADD KEY ix_assignments_experiment_created (experiment_id, created_at, public_id);

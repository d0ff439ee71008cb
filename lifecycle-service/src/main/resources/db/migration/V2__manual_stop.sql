-- Docker's HasBeenManuallyStopped: a container stopped by its user is not restarted by an
-- "unless-stopped" policy, nor by "always" until the engine restarts.
ALTER TABLE containers ADD COLUMN manually_stopped BOOLEAN DEFAULT FALSE NOT NULL;

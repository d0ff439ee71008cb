-- Written for both engines: H2 (embedded, MODE=PostgreSQL) and PostgreSQL (a cluster). Only
-- types and syntax that both accept; JSON is kept as text so neither engine's JSON type (and
-- its binding quirks) leaks into the code.

CREATE TABLE containers (
	id                VARCHAR(64)   NOT NULL,
	-- without Docker's leading '/', which every name has
	name              VARCHAR(255)  NOT NULL,
	-- the image reference as the client gave it ("busybox"), and what it resolved to
	image             VARCHAR(1024) NOT NULL,
	image_id          VARCHAR(128)  NOT NULL,
	node              VARCHAR(255)  NOT NULL,
	created           TIMESTAMP(6) WITH TIME ZONE NOT NULL,
	-- the JSON objects as the client sent them, unknown fields included
	config            TEXT          NOT NULL,
	host_config       TEXT          NOT NULL,
	networking_config TEXT          NOT NULL,
	-- a copy of Config.Labels, kept apart for label filters
	labels            TEXT          NOT NULL,
	auto_remove       BOOLEAN       NOT NULL,
	status            VARCHAR(16)   NOT NULL,
	pid               INTEGER       NOT NULL,
	exit_code         INTEGER       NOT NULL,
	error             TEXT          NOT NULL,
	started_at        TIMESTAMP(6) WITH TIME ZONE,
	finished_at       TIMESTAMP(6) WITH TIME ZONE,
	oom_killed        BOOLEAN       NOT NULL,
	restart_count     INTEGER       NOT NULL,
	CONSTRAINT containers_pkey PRIMARY KEY (id),
	-- the database, not a check before the insert, decides which of two concurrent creates wins
	CONSTRAINT containers_name_key UNIQUE (name),
	CONSTRAINT containers_status_check
		CHECK (status IN ('created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'))
);

CREATE TABLE execs (
	id                VARCHAR(64)   NOT NULL,
	container_id      VARCHAR(64)   NOT NULL,
	config            TEXT          NOT NULL,
	running           BOOLEAN       NOT NULL,
	-- null until the process has exited, as Docker's ExecInspect reports it
	exit_code         INTEGER,
	pid               INTEGER       NOT NULL,
	CONSTRAINT execs_pkey PRIMARY KEY (id),
	-- an exec does not outlive its container
	CONSTRAINT execs_container_fkey FOREIGN KEY (container_id) REFERENCES containers (id) ON DELETE CASCADE
);

CREATE INDEX execs_container_id ON execs (container_id);

-- Whether a new post takes comments unless its writer says otherwise.
ALTER TABLE site ADD COLUMN comments_open_by_default boolean NOT NULL DEFAULT true;

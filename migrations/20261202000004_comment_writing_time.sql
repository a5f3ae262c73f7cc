-- How many seconds people take at least to write a comment after the form appears: a form sent
-- sooner is taken for a program's and goes to the spam queue.
ALTER TABLE site ADD COLUMN comment_min_writing_seconds integer NOT NULL DEFAULT 3
    CHECK (comment_min_writing_seconds BETWEEN 0 AND 600);

-- Whether pingbacks and trackbacks (imported from WordPress) are listed under posts, apart from
-- the comments.
ALTER TABLE site ADD COLUMN show_pings boolean NOT NULL DEFAULT false;

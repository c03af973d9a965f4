-- Every finished run updates its schedule's last_* columns; room on the page
-- keeps those updates HOT (no index writes).
ALTER TABLE "schedules" SET (fillfactor = 70);

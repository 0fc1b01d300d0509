-- A profile is found only through its ids. When the last id of a profile moves to another
-- profile (two profiles merged, or two chunks that created the same new person at once), the
-- profile left without ids is deleted in the same transaction, so no unreachable profile stays.

CREATE TRIGGER profile_ids_moved AFTER UPDATE OF profile_id ON profile_ids
WHEN OLD.profile_id <> NEW.profile_id
BEGIN
  DELETE FROM profiles
  WHERE tenant_id = OLD.tenant_id AND id = OLD.profile_id
    AND NOT EXISTS (SELECT 1 FROM profile_ids WHERE tenant_id = OLD.tenant_id AND profile_id = OLD.profile_id);
END;

-- The current refresh token of a session moves onto the session row, so a login writes one row
-- for its session instead of two; refresh_token keeps the spent tokens, for replay detection.
-- A session holds at most one unspent token (each rotation spends the newest and adds one), and
-- a session without one (its rotation failed midway) keeps a NULL hash and can no longer refresh.

-- AlterTable
ALTER TABLE `auth_session` ADD COLUMN `token_hash` CHAR(64) NULL;

-- CreateIndex
CREATE UNIQUE INDEX `auth_session_token_hash_key` ON `auth_session`(`token_hash`);

-- MoveData
UPDATE `auth_session` s JOIN `refresh_token` t ON t.`session_id` = s.`id` AND t.`rotated_at` IS NULL
    SET s.`token_hash` = t.`token_hash`;
DELETE FROM `refresh_token` WHERE `rotated_at` IS NULL;

-- AlterTable
ALTER TABLE `refresh_token` MODIFY `rotated_at` DATETIME(3) NOT NULL;

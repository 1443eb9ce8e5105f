-- One person across WeChat apps (docs/api.md, Part 2): `account` holds the person (profile,
-- phone, status, login totals); `wx_user` stays the WeChat identity and points at its account.
-- Every existing wx_user row becomes an account with the same id, so the access tokens already
-- issued (sub = that id) keep naming the same person. Portable SQL: MySQL 8 and MariaDB 10.6+.

-- CreateTable
CREATE TABLE `account` (
    `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    `created_for_unionid` VARCHAR(64) NULL,
    `nickname` VARCHAR(255) NULL,
    `avatar_url` VARCHAR(512) NULL,
    `gender` TINYINT NOT NULL DEFAULT 0,
    `phone` VARCHAR(32) NULL,
    `phone_country_code` VARCHAR(8) NULL,
    `status` ENUM('active', 'disabled') NOT NULL DEFAULT 'active',
    `login_count` INTEGER UNSIGNED NOT NULL DEFAULT 0,
    `last_login_at` DATETIME(3) NULL,
    `last_login_ip` VARCHAR(45) NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `account_created_for_unionid_key`(`created_for_unionid`),
    UNIQUE INDEX `account_phone_key`(`phone`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Copy each identity's person data into its own account. The unique keys cannot hold values
-- that several old rows share (a unionid or a phone number bound twice, which the old schema
-- allowed): the oldest row keeps the value, and the README's upgrade notes say how to find the
-- others before migrating.
INSERT INTO `account` (`id`, `created_for_unionid`, `nickname`, `avatar_url`, `gender`, `phone`,
    `phone_country_code`, `status`, `login_count`, `last_login_at`, `last_login_ip`, `created_at`,
    `updated_at`)
SELECT u.`id`,
    CASE WHEN u.`unionid` IS NOT NULL AND u.`id` =
        (SELECT MIN(o.`id`) FROM `wx_user` o WHERE o.`unionid` = u.`unionid`) THEN u.`unionid` END,
    u.`nickname`, u.`avatar_url`, u.`gender`,
    CASE WHEN u.`phone` IS NOT NULL AND u.`id` =
        (SELECT MIN(p.`id`) FROM `wx_user` p WHERE p.`phone` = u.`phone`) THEN u.`phone` END,
    CASE WHEN u.`phone` IS NOT NULL AND u.`id` =
        (SELECT MIN(p.`id`) FROM `wx_user` p WHERE p.`phone` = u.`phone`) THEN u.`phone_country_code` END,
    u.`status`, u.`login_count`, u.`last_login_at`, u.`last_login_ip`, u.`created_at`, u.`updated_at`
FROM `wx_user` u;

-- AlterTable
ALTER TABLE `wx_user` ADD COLUMN `account_id` BIGINT UNSIGNED NULL AFTER `id`;
UPDATE `wx_user` SET `account_id` = `id`;
ALTER TABLE `wx_user` MODIFY `account_id` BIGINT UNSIGNED NOT NULL,
    DROP COLUMN `nickname`,
    DROP COLUMN `avatar_url`,
    DROP COLUMN `gender`,
    DROP COLUMN `phone`,
    DROP COLUMN `phone_country_code`,
    DROP COLUMN `status`;

-- CreateIndex
CREATE UNIQUE INDEX `wx_user_account_id_app_id_key` ON `wx_user`(`account_id`, `app_id`);

-- AddForeignKey
ALTER TABLE `wx_user` ADD CONSTRAINT `wx_user_account_id_fkey` FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- A session and a login belong to the identity that logged in (the same ids as before).
-- DropForeignKey
ALTER TABLE `auth_session` DROP FOREIGN KEY `auth_session_user_id_fkey`;
ALTER TABLE `login_log` DROP FOREIGN KEY `login_log_user_id_fkey`;

-- DropIndex
DROP INDEX `auth_session_user_id_idx` ON `auth_session`;
DROP INDEX `login_log_user_id_at_idx` ON `login_log`;

-- AlterTable
ALTER TABLE `auth_session` CHANGE `user_id` `wx_user_id` BIGINT UNSIGNED NOT NULL,
    ADD COLUMN `refreshed_at` DATETIME(3) NULL AFTER `created_at`,
    ADD COLUMN `ip` VARCHAR(45) NULL,
    ADD COLUMN `user_agent` VARCHAR(512) NULL;
ALTER TABLE `login_log` CHANGE `user_id` `wx_user_id` BIGINT UNSIGNED NOT NULL;

-- CreateIndex
CREATE INDEX `auth_session_wx_user_id_idx` ON `auth_session`(`wx_user_id`);
CREATE INDEX `login_log_wx_user_id_at_idx` ON `login_log`(`wx_user_id`, `at`);

-- AddForeignKey
ALTER TABLE `auth_session` ADD CONSTRAINT `auth_session_wx_user_id_fkey` FOREIGN KEY (`wx_user_id`) REFERENCES `wx_user`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `login_log` ADD CONSTRAINT `login_log_wx_user_id_fkey` FOREIGN KEY (`wx_user_id`) REFERENCES `wx_user`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- Who changed an account (docs/api.md Part 2, "Admin command"; DELETE /users/me). No foreign
-- key: the row of a deletion stays after the account is gone.

-- CreateTable
CREATE TABLE `audit_log` (
    `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    `at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `actor` VARCHAR(64) NOT NULL,
    `action` VARCHAR(32) NOT NULL,
    `account_id` BIGINT UNSIGNED NOT NULL,
    `reason` VARCHAR(255) NULL,

    INDEX `audit_log_account_id_at_idx`(`account_id`, `at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

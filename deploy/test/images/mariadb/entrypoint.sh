#!/bin/sh
# First start: create the data directory, the database and the user from the official mysql
# image's variables (MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD), on a
# temporary server that listens on its socket only, so the health check (TCP) stays red until
# the real server below is up.
set -eu
# Arguments starting with "-" are server options (as the official image takes them).
if [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
if [ "$1" = mariadbd ] && [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null
    mariadbd --user=mysql --skip-networking --socket=/run/mysqld/init.sock &
    init_pid=$!
    i=0
    until mariadb-admin --socket=/run/mysqld/init.sock ping --silent 2>/dev/null; do
        i=$((i + 1)); [ "$i" -lt 60 ] || { echo "temporary server did not start" >&2; exit 1; }
        sleep 1
    done
    mariadb --socket=/run/mysqld/init.sock <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
CREATE USER 'root'@'%' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE:-wxauth}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '${MYSQL_USER}'@'%' IDENTIFIED BY '${MYSQL_PASSWORD}';
GRANT ALL ON \`${MYSQL_DATABASE:-wxauth}\`.* TO '${MYSQL_USER}'@'%';
SQL
    kill "$init_pid"
    wait "$init_pid" || true
fi
if [ "$1" = mariadbd ]; then
    shift
    # Listen on the container's network (Debian's my.cnf says 127.0.0.1).
    exec mariadbd --user=mysql --bind-address=0.0.0.0 "$@"
fi
exec "$@"

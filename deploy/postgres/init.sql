-- Each service owns its database; orders' is POSTGRES_DB, the others are created here on first start.
CREATE DATABASE notifications;

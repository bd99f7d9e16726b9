package io.magpie.das.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The values of a statement's {@code ?} placeholders, by position from 1, the way the repositories bind a
 * row: onto a {@link PreparedStatement} ({@link #of}), or written into the text of a {@link StatementScript}.
 */
public interface Parameters {

    void setLong(int index, long value) throws SQLException;

    void setInt(int index, int value) throws SQLException;

    /** {@code null} binds SQL NULL. */
    void setString(int index, String value) throws SQLException;

    /** {@code null} binds SQL NULL. */
    void setBytes(int index, byte[] value) throws SQLException;

    /** The placeholders of {@code statement}. */
    static Parameters of(PreparedStatement statement) {
        return new Parameters() {
            @Override
            public void setLong(int index, long value) throws SQLException {
                statement.setLong(index, value);
            }

            @Override
            public void setInt(int index, int value) throws SQLException {
                statement.setInt(index, value);
            }

            @Override
            public void setString(int index, String value) throws SQLException {
                statement.setString(index, value);
            }

            @Override
            public void setBytes(int index, byte[] value) throws SQLException {
                statement.setBytes(index, value);
            }
        };
    }
}

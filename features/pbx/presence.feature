Feature: User presence over SIP
  A watcher of an extension's presence event package (RFC 3856) gets PIDF
  with the RFC 4480 activity of the user presence set on the PBX: the same
  state the JSON API shows. Do not disturb has no RPID activity of its own;
  the PBX writes it as <other>.

  Background:
    Given the users alice
    And alice's desk phone is extension 201 with the SIP password "alice-201"
    And a SIP client subscribes to the presence of 201

  @P-SIP-3
  Scenario Outline: <state> on the desk phone reaches the watcher as <activity>
    Then the subscriber is notified that 201 is available within 1 second
    When alice sets <state> on her desk phone
    Then the subscriber is notified that 201 is <activity> within 1 second

    Examples:
      | state           | activity       |
      | Abwesend        | away           |
      | Besetzt         | busy           |
      | Besprechung     | meeting        |
      | Nicht verfügbar | do-not-disturb |

  @P-SIP-3
  Scenario: A call adds on-the-phone to the presence
    When alice makes a call on her desk phone
    Then the subscriber is notified that 201 is on-the-phone within 1 second

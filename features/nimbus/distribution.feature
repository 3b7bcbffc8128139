Feature: Conversations Distribution in Luware Nimbus
  Besides responsibility (skills, duty profiles or team membership), Nimbus
  uses the agent's Teams presence to decide whether the agent may be offered a
  call; the basis of that decision is configured in the service (seed 003,
  "Anrufverteilung in Luware Nimbus"). Both tables of the document, line by
  line, with its words.

  Background:
    Given it is 09:00
    And bob is signed in to Teams on desktop
    And a Nimbus service "Support" with the agent bob

  @NB-1 @NB-2
  Scenario Outline: First table, Busy distributed: <Status>
    Given the Conversations Distribution of "Support" is:
      | Available      | Distributed to the user     |
      | Busy *         | Distributed to the user     |
      | Do not Disturb | NOT distributed to the user |
      | Away *         | NOT distributed to the user |
      | Offline        | NOT distributed to the user |
    When bob is "<Status>" in Teams
    Then for bob a call in "Support" is <Distribution>

    Examples: Conversations Distribution
      | Status         | Distribution                |
      | Available      | Distributed to the user     |
      | Busy *         | Distributed to the user     |
      | Do not Disturb | NOT distributed to the user |
      | Away *         | NOT distributed to the user |
      | Offline        | NOT distributed to the user |

  @NB-1 @NB-2 @NB-3
  Scenario Outline: Second table, Busy not distributed: <Status>
    Given the Conversations Distribution of "Support" is:
      | Available      | Distributed to the user     |
      | Busy *         | NOT distributed to the user |
      | Do not Disturb | NOT distributed to the user |
      | Away *         | NOT distributed to the user |
      | Offline        | NOT distributed to the user |
    When bob is "<Status>" in Teams
    Then for bob a call in "Support" is <Distribution>

    Examples: Conversations Distribution
      | Status         | Distribution                |
      | Available      | Distributed to the user     |
      | Busy *         | NOT distributed to the user |
      | Do not Disturb | NOT distributed to the user |
      | Away *         | NOT distributed to the user |
      | Offline        | NOT distributed to the user |

  @NB-1 @NB-2
  Scenario: A call is offered only where the setting allows it
    Given the Conversations Distribution of "Support" sets "Busy *" to "NOT distributed to the user"
    And bob is "Busy *" in Teams
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    When bob resets his status
    Then Nimbus offers the call to bob

  @NB-2
  Scenario: Opting in to Away distributes to agents who are Away or Be right back
    Given the Conversations Distribution of "Support" sets "Away *" to "Distributed to the user"
    When bob sets his status to BeRightBack
    Then for bob a call in "Support" is Distributed to the user
    When bob resets his status
    And bob locks his computer
    Then bob's presence is Away
    And for bob a call in "Support" is Distributed to the user
